"""Board pack: choose an RCC and a meeting date, make the pack (PDF + XLSX, frozen at today's
data), download it; the packs made so far; and ``?pack=ID``, which reopens a stored pack
as the board saw it: its frozen data version in plain words, whether the store has changed
since, its tables read back from the stored XLSX, and its files."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

import cached
import cached_packs
from analysis import access
from analysis.disclosure import SYNTHETIC_LABEL
from data import audit, pack_manifest, pack_workbook, packs
from data.errors import UserInputError
from views import frame
from views.links import shown

#: A sheet's export table and part, where the sheet is part of an export table.
SHEET_EXPORTS = {"la-rates-flagged": ("la-rates", "flagged"),
                 "needs-summary": ("needs", "summary"),
                 "needs-prevalence": ("needs", "prevalence")}


def downloads(pack_id: int, manifest: dict, pdf: bytes, xlsx: bytes) -> None:
    """The pack's PDF and XLSX download buttons (each download is audited)."""
    stem = packs.file_stem(manifest)
    left, right = st.columns(2)
    for column, (kind, data, mime) in zip((left, right), (
            ("PDF", pdf, "application/pdf"),
            ("XLSX", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))):
        column.download_button(f"Download the pack ({kind})", data,
                               file_name=f"{stem}.{kind.lower()}", mime=mime,
                               icon=":material/download:", key=f"pack-{pack_id}-{kind}",
                               on_click=audit.record, args=(cached.engine(), cached.viewer(),
                                                            "download"),
                               kwargs={"detail": {"pack": pack_id, "file": kind}})


def frozen_words(manifest: dict, changed: bool) -> None:
    """The manifest in plain words, and whether the data have changed since."""
    made = datetime.fromisoformat(manifest["made_at"])
    run = manifest.get("forecast_run")
    st.markdown(
        f"Frozen on **{made:%-d %B %Y at %H:%M}** by {manifest['made_by']}, for the meeting "
        f"on {date.fromisoformat(manifest['meeting_date']):%-d %B %Y}: figures at 31 March "
        f"{manifest['year']}, {len(manifest['releases'])} datasets (each with its checksum "
        f"in the XLSX's Version sheet), {len(manifest['case_imports'])} case-level imports "
        f"of the RCC's LAs, " + (f"forecast run #{run['id']}" if run else "no forecasts")
        + f", fee cap {manifest['cap']['percent_in_use']:g}% of operating cost.")
    if manifest.get("synthetic"):
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    if changed:
        st.warning("The store has changed since this pack was made (a rebuild or an "
                   "import). The tables below are the pack's, as the board saw them; the "
                   "other pages show today's figures.", icon=":material/update:")
    else:
        st.success("The store has not changed since this pack was made: the other pages "
                   "show the same figures.", icon=":material/check_circle:")


def reopen(asked: str) -> None:
    """A stored pack, as frozen, or why it cannot be shown."""
    engine, viewer = cached.engine(), cached.viewer()
    try:
        pack = packs.read_pack(engine, asked, viewer)
    except access.AccessDenied as refused:
        st.title("Board pack")
        st.info(str(refused), icon=":material/lock:")
        return
    except UserInputError as missing:
        st.title("Board pack")
        st.warning(f"{missing} (asked for {shown(asked)}).", icon=":material/link_off:")
        return
    manifest = pack.manifest
    st.title(f"Board pack {pack.id}: {manifest['rcc']['name']}")
    frozen_words(manifest, pack_manifest.changed_since(engine, manifest))
    downloads(pack.id, manifest, pack.pdf, pack.xlsx)
    titles = pack_workbook.sheet_titles(pack.xlsx)
    for name, table in pack_workbook.read_sheets(pack.xlsx).items():
        export, part = SHEET_EXPORTS.get(name, (name, None))
        st.subheader(titles.get(name, name), anchor=False)
        frame.table(table, export, f"{name} as frozen", part=part or f"pack-{pack.id}")


def make(rcc_id: str, meeting: date) -> None:
    """Make one pack, showing each stage as it runs, and keep it for the downloads."""
    engine = cached.engine()
    year = pack_manifest.data_year(engine, meeting)
    with st.status("Making the pack…", expanded=True) as status:
        made = packs.make_pack(
            engine, rcc_id, meeting, cached.viewer(),
            parts=cached_packs.parts(rcc_id, pack_manifest.case_year(engine, year)),
            progress=lambda stage: stage and status.write(f"{stage.capitalize()}…"))
        status.update(label=f"Pack {made.id} made in {sum(made.seconds.values()):.0f} s",
                      state="complete", expanded=False)
    st.session_state["pack_made"] = made.id


def maker(rcc_ids: list[str]) -> None:
    """Choose an RCC and a meeting date; make the pack; its downloads and link."""
    names = cached.rccs().set_index("id")["name"]
    left, right = st.columns(2)
    rcc_id = left.selectbox("RCC", rcc_ids, format_func=lambda rcc: names.get(rcc, rcc),
                            key="pack_rcc")
    meeting = right.date_input("Meeting date", date.today(), key="pack_date",
                               format="DD/MM/YYYY")
    st.caption("The pack freezes today's data: every dataset's release and checksum, the "
               "case-level imports, the forecast run, the cap and the flag rule's settings.")
    if st.button("Make the pack", type="primary", icon=":material/picture_as_pdf:"):
        try:
            make(rcc_id, meeting)
        except UserInputError as problem:
            st.error(str(problem))
    if "pack_made" in st.session_state:
        pack = packs.read_pack(cached.engine(), st.session_state["pack_made"], cached.viewer())
        st.success(f"Pack {pack.id} for {pack.manifest['rcc']['name']} is stored. Its link "
                   f"reopens it as frozen: `/board_pack?pack={pack.id}`",
                   icon=":material/task_alt:")
        downloads(pack.id, pack.manifest, pack.pdf, pack.xlsx)


def main() -> None:
    """Reopen ``?pack=ID``, or make packs and list those made."""
    asked = st.query_params.get("pack")
    if asked is not None:
        reopen(asked)
        return
    st.title("Board pack")
    viewer = cached.viewer()
    if not access.may_act(viewer, access.MAKE_PACK):
        st.info(f"Signed in as {access.ROLE_LABELS[viewer.role].lower()}, you cannot make "
                "board packs: trustees, ADCS leads, National Steering Group members and "
                "analysts can.", icon=":material/lock:")
        return
    rcc_ids = access.allowed_rccs(viewer, list(cached.rccs()["id"]))
    if not rcc_ids:
        st.info("You serve no RCC yet, so there is no pack to make.", icon=":material/lock:")
        return
    maker(rcc_ids)
    st.header("Packs made", anchor=False)
    made = cached_packs.made(rcc_ids)
    if made.empty:
        st.markdown("No packs have been made yet.")
    else:
        frame.table(made, "packs", "the list of packs")


main()
