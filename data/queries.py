"""Read the store into DataFrames. Each function is one query, shaped for analysis/."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from data import schema as s


def frame(engine: Engine, statement) -> pd.DataFrame:
    """Run a select and return its rows as a DataFrame."""
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def local_authorities(engine: Engine) -> pd.DataFrame:
    """Current LAs with region and RCC: the spine of every scope filter."""
    la, region, member, rcc = s.LocalAuthority, s.Region, s.RccMembership, s.Rcc
    statement = (
        select(la.code, la.name, la.dfe_number, la.region_code, region.name.label("region_name"),
               member.rcc_id, rcc.name.label("rcc_name"))
        .join(region, region.code == la.region_code)
        .outerjoin(member, member.la_code == la.code)
        .outerjoin(rcc, rcc.id == member.rcc_id)
        .where(la.is_current.is_(True))
        .order_by(la.name)
    )
    return frame(engine, statement)


def all_local_authorities(engine: Engine) -> pd.DataFrame:
    """Current and historic LAs (code, name, region, is_current), for series and names."""
    la = s.LocalAuthority
    return frame(engine, select(la.code, la.name, la.region_code, la.is_current))


def regions(engine: Engine) -> pd.DataFrame:
    """The nine English regions."""
    return frame(engine, select(s.Region.code, s.Region.name).order_by(s.Region.name))


def rccs(engine: Engine) -> pd.DataFrame:
    """RCCs and how each is defined."""
    return frame(engine, select(s.Rcc.id, s.Rcc.name, s.Rcc.basis).order_by(s.Rcc.name))


def code_changes(engine: Engine) -> pd.DataFrame:
    """The LA code changes and the rule applied to each."""
    c = s.LaCodeChange
    return frame(engine, select(c.old_code, c.old_name, c.new_code, c.new_name, c.change,
                                c.effective_year, c.note).order_by(c.effective_year, c.old_code))


def population(engine: Engine) -> pd.DataFrame:
    """ONS population aged 0-17 by area and mid-year."""
    p = s.Population
    return frame(engine, select(p.area_code, p.mid_year, p.level, p.population_0_17))


def cla_counts(engine: Engine, measure: str = "at_31_march") -> pd.DataFrame:
    """DfE CLA counts (2021-2025) with DfE's published rate and symbols."""
    c = s.ClaCount
    return frame(engine, select(c.area_code, c.year, c.level, c.children, c.children_symbol,
                                c.published_rate, c.rate_symbol, c.published_population)
                 .where(c.measure == measure))


def lait(engine: Engine, measure_code: str) -> pd.DataFrame:
    """One LAIT indicator for every area and year."""
    i = s.LaitIndicator
    return frame(engine, select(i.area_code, i.year, i.year_label, i.level, i.value, i.symbol)
                 .where(i.measure_code == measure_code))


def characteristic(engine: Engine, cla_group: str) -> pd.DataFrame:
    """DfE CLA at 31 March for one characteristic group (e.g. distance and locality)."""
    c = s.ClaCharacteristic
    return frame(engine, select(c.area_code, c.year, c.level, c.characteristic, c.number,
                                c.number_symbol, c.percentage, c.percentage_symbol)
                 .where(c.cla_group == cla_group))


def homes(engine: Engine) -> pd.DataFrame:
    """Ofsted children's homes at 31 March 2023 (no names or addresses are stored)."""
    h = s.ChildrensHome
    return frame(engine, select(h.urn, h.la_code, h.provision_type, h.sector, h.places,
                                h.overall_judgement))


def releases(engine: Engine) -> pd.DataFrame:
    """Every dataset's data_release record."""
    r = s.DataRelease
    return frame(engine, select(r.dataset, r.title, r.publisher, r.period, r.url, r.licence,
                                r.file, r.checksum, r.rows, r.loaded_at).order_by(r.dataset))


def statistical_neighbours(engine: Engine, model: str) -> pd.DataFrame:
    """DfE statistical neighbours for the 2021 or 2025 model."""
    n = s.StatisticalNeighbour
    return frame(engine, select(n.la_code, n.rank, n.neighbour_code, n.closeness)
                 .where(n.model == model))
