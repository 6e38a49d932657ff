"""What the maps do in the browser beyond drawing: keep a click on the LA it was made on,
fit the areas clear of the legend and credits, keep LA names from overlapping, and send
the page only a clicked LA's code.

Each is a small Leaflet script run after the map is built, as ``components.map_figures``
adds them; each says why it is needed.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

class FocusWithoutScrolling(MacroElement):
    """Clicks on a map that is partly off screen select what was clicked.

    Leaflet focuses the map on mousedown (for its arrow keys); focusing an element inside
    the component's iframe scrolls the page to show the whole iframe, so between mousedown
    and mouseup the map moves under the pointer, the click lands on whatever is under it
    then (the SVG group, not the LA) and only the tooltip shows. Focusing with
    ``preventScroll`` keeps the arrow keys and leaves the page where it is.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function (map) {
                if (!map.keyboard) { return; }
                map.keyboard.disable();
                map.keyboard._onMouseDown = function () {
                    if (!this._focused) { this._map._container.focus({preventScroll: true}); }
                };
                map.keyboard.enable();
            })({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class NoOverlap(MacroElement):
    """After every zoom, hide each LA name that would overlap a name shown before it (the
    names are added largest LA first), so the names shown can be read."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function (map) {
                function place() {
                    var shown = [];
                    map.getPane("markerPane").querySelectorAll(".la-label").forEach(
                        function (label) {
                            label.classList.remove("la-label-hidden");
                            var box = label.firstElementChild.getBoundingClientRect();
                            var clash = shown.some(function (other) {
                                return box.left < other.right + 2 && other.left < box.right + 2
                                    && box.top < other.bottom && other.top < box.bottom;
                            });
                            if (clash) { label.classList.add("la-label-hidden"); }
                            else { shown.push(box); }
                        });
                }
                map.whenReady(function () { setTimeout(place, 0); });
                map.on("zoomend", function () { setTimeout(place, 0); });
            })({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class FitClear(MacroElement):
    """Fit the map to ``bounds`` clear of the legend and the credits, whichever way shows
    the areas larger: beside the legend (a tall area such as England) or above it (a wide
    one such as Greater Manchester on a narrow screen). Measured in the browser, once the
    legend is drawn, as its size depends on the screen and the text."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function (map, bounds) {
                var legend = map.getContainer().querySelector(".map-legend");
                var width = legend ? legend.offsetWidth + 20 : 0;
                var height = legend ? legend.offsetHeight + 10 : 0;
                var beside = {paddingTopLeft: [10, 10],
                              paddingBottomRight: [width + 10, {{ this.credits }}]};
                var above = {paddingTopLeft: [10, 10],
                             paddingBottomRight: [10, height + {{ this.credits }}]};
                function zoom(fit) {
                    var padding = L.point(fit.paddingTopLeft).add(fit.paddingBottomRight);
                    return map.getBoundsZoom(bounds, false, padding);
                }
                map.fitBounds(bounds, zoom(above) > zoom(beside) ? above : beside);
            })({{ this._parent.get_name() }}, L.latLngBounds({{ this.bounds|tojson }}));
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]], credits: int):
        super().__init__()
        self._name = "FitClear"
        self.bounds, self.credits = bounds, credits


#: Each clickable LA tells the page only its code: streamlit-folium returns the clicked
#: layer's ``toGeoJSON()``, which would otherwise carry the LA's whole outline.
CODE_ONLY = JsCode("""
    function (feature, layer) {
        layer.toGeoJSON = function () {
            return {type: "Feature", geometry: null,
                    properties: {code: feature.properties.code}};
        };
    }
""")
