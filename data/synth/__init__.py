"""A synthetic, all-England case-level cohort calibrated to the published figures in the store.

Nothing here describes a real child. The cohort exists so the case-level pages, exports and
disclosure control can be built and tested before any LA sends a real SSDA903 file, and
every row it writes is flagged ``is_synthetic``.

What the cohort is (per LA with a published DfE count at 31 March 2025):

* **Current children**: exactly DfE's count of children looked after at 31 March 2025,
  each with the episodes of their current period of care (the last one open). Their age
  group, sex, UASC status, placement type, locality and distance band, legal status,
  category of need and ethnic group reproduce the LA's DfE 2025 breakdowns exactly where
  DfE publishes a number; where DfE shows 'c', the residual (total less the published
  cells) is shared among the suppressed cells by England's proportions. The characteristics
  are combined with realistic associations (UASC are mostly boys aged 16-17, babies are
  placed for adoption or in foster care, not in supported accommodation, and so on) by
  fitting each contingency table to both margins (iterative proportional fitting) and
  rounding it with the margins held exactly.
* **Children who came and went**: a light child (one period of care, one or two episodes)
  for every child LAIT says ceased to be looked after in the LA in the window, so that
  periods of care starting and ending in each month add up to LAIT's annual
  ``LACnum_Start`` and ``LACceased`` for every year LAIT publishes for the LA, 2016-2025
  (years ending 31 March). Start dates are filled in backwards in time: each month's
  starts are drawn from the children in care at the end of that month, so the stock of
  children in care never goes negative and nobody starts before they were born.
  LAs created by a reorganisation (BCP, Dorset, the Northamptonshires, Cumberland,
  Westmorland and Furness) are matched for the years LAIT publishes under their code;
  abolished councils have no current children and are not generated.
* **Placements**: the 903 PLACE code of each current episode comes from its DfE placement
  group (``PLACEMENTS``). Children's home (K2) placements outside the LA go to LAs in
  proportion to Ofsted places by a doubly-constrained gravity model (origin totals from
  DfE's locality/distance counts, destination totals from Ofsted places, distance decay
  between LA centroids), each with the URN of a real home in that LA. Postcode sectors
  come from ``data.postcodes.sectors_of_la``.
* **Needs**: current children get needs assessments over the 11 needs categories from a
  mixture of the three broad cohorts regional needs analyses find in residential care
  (learning and physical disability; multiple complex needs rooted in trauma; extra-familial
  harm) plus a few-needs component (most fostered, adopted and young children): a child
  falls in a cohort with chances that depend on placement and age, then has each need
  independently with the cohort's chance of it, so a latent class analysis can recover
  the cohorts. Profiles and chances are fitted to each need's prevalence by placement and
  age: about 4 co-occurring needs for children in children's homes, under 2 in foster
  care; exploitation, going missing and substance misuse go together. Frequency and
  intensity are most acute in the extra-familial harm cohort. The cohort is not stored.
* **Fees**: every current episode in a paid placement gets a weekly fee drawn around its
  region's S251 2024-25 residential or fostering unit cost (LAIT ``RescareFinance`` /
  ``FosteringFinance``), split into core, extra staffing, education and therapy, with
  a declared surplus / reinvestment % (private providers higher).

Everything is deterministic given the seed: each LA and stage draws from its own
``numpy`` Generator seeded by (seed, LA, stage), so one LA's rows do not depend on
which other LAs are generated.

The generator is a package with one module per stage: ``calibration`` (the published
figures, read once), ``fitting`` and ``draws`` (exact integer tables and the per-LA
random streams), ``current`` (stage 1: the current children), ``geography`` (where
placements go), ``periods`` (stage 2), ``episodes`` (stage 3), ``needs`` (stage 4),
``fees`` (stage 5: fees and providers), ``cohort`` (the stages run LA by LA) and
``writing`` (through the SSDA903 importer into the store).
"""

from analysis.disclosure import SYNTHETIC_LABEL
from data.synth.calibration import (AGE_BANDS, AGE_GROUP, BAND_GROUP, BANDS, DISTANCE_BANDS,
                                    DISTANCE_GROUP, ETHNIC_GROUPS, ETHNICITY_GROUP,
                                    LEGAL_GROUP, LEGAL_GROUPS, NEED_GROUP, NEED_GROUPS,
                                    PLACE_GROUP, PLACEMENT_GROUP, PLACEMENT_GROUPS, PLACEMENTS,
                                    SEX_GROUP, UASC_GROUP, Calibration, load_calibration)
from data.synth.cohort import Cohort, generate
from data.synth.current import ETHNIC_CODES, LEGAL_CODES
from data.synth.geography import geography_of
from data.synth.needs import FREQUENCIES, INTENSITIES, NEEDS
from data.synth.periods import flow_years
from data.synth.writing import present, run, write

__all__ = [
    "SYNTHETIC_LABEL", "generate", "load_calibration", "run", "write", "present", "Cohort",
    "Calibration", "geography_of", "flow_years",
    # the DfE breakdowns and 903 codes the cohort is calibrated to
    "AGE_BANDS", "AGE_GROUP", "BAND_GROUP", "BANDS", "DISTANCE_BANDS", "DISTANCE_GROUP",
    "ETHNIC_CODES", "ETHNIC_GROUPS", "ETHNICITY_GROUP", "LEGAL_CODES", "LEGAL_GROUP",
    "LEGAL_GROUPS", "NEED_GROUP", "NEED_GROUPS", "PLACE_GROUP", "PLACEMENT_GROUP",
    "PLACEMENT_GROUPS", "PLACEMENTS", "SEX_GROUP", "UASC_GROUP",
    "FREQUENCIES", "INTENSITIES", "NEEDS",
]
