"""Code lists and rule wording for the case-level importers: kept here and nowhere else.

The SSDA903 code lists and the rules numbered 101 to 1009 are those of DfE's 903
validation as implemented in ``csc-validator-be-903`` (data-to-insight), with the same
code and the same wording, so an LA analyst sees messages they already know. That
package pins pandas < 2, so it is never installed here; its lists are copied instead.
Rules whose code starts ``RCC-`` are ours: checks the 903 validator does not make in the
same form (file structure, duplicate keys, date order, plausible dates of birth, unknown
LA codes, formula-like text) or that only this app needs. The Placements Standard v2
options are read from the standard's own JSON in /work/shared/standards, vendored
below as ``PLACEMENTS_V2_FIELDS`` so the app does not depend on that folder at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- SSDA903 code lists (csc-validator-be-903 rules 101-178, 1009) ---------------------------

SEX = ("1", "2")
ETHNIC = ("WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
          "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")
RNE = ("S", "P", "L", "T", "U", "B")
LS = ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3")
CIN = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
PLACE = ("A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5",
         "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1")
PLACE_PROVIDER = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
#: Placements with no provider (903 rule 178 lets PLACE_PROVIDER be blank for these).
PLACE_WITHOUT_PROVIDER = ("T0", "T1", "T2", "T3", "T4", "Z1")
REC = ("E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5",
       "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17", "X1")
REASON_PLACE_CHANGE = ("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD",
                       "LAREQ", "PLACE", "CUSTOD", "OTHER")
#: Placements exempt from 903 rule 218 (URN required).
PLACE_WITHOUT_URN = ("H5", "P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1")
#: Placements in a children's home (secure or not): where the Ofsted list of homes applies.
PLACE_HOME = ("K1", "K2")
PL_LOCATION = ("IN", "OUT")
#: PL_LA values for placements outside England (903 derived field).
PL_LA_OUTSIDE_ENGLAND = ("WAL", "SCO", "NIR", "NUK")
UASC = ("0", "1")


@dataclass(frozen=True)
class Rule:
    """A validation rule: its code, the column(s) it is about, and what it says."""

    code: str
    message: str


RULES = {rule.code: rule for rule in (
    # csc-validator-be-903 (DfE's 903 validation): same code, same wording
    Rule("101", "Gender code is not valid."),
    Rule("102", "Date of birth is not a valid date."),
    Rule("103", "The ethnicity code is either not valid or has not been entered."),
    Rule("105", "Data entry for Unaccompanied Asylum-Seeking Children (UASC) status of child "
                "is invalid or has not been completed."),
    Rule("141", "Date episode began is not a valid date."),
    Rule("142", "A new episode has started, but the previous episode has not ended."),
    Rule("143", "The reason for new episode code is not a valid code."),
    Rule("144", "The legal status code is not a valid code."),
    Rule("145", "Category of need code is not a valid code."),
    Rule("146", "Placement type code is not a valid code."),
    Rule("147", "Date episode ceased is not a valid date."),
    Rule("148", "Date episode ceased and reason episode ceased must both be coded, or both "
                "left blank."),
    Rule("149", "Reason episode ceased code is not valid."),
    Rule("178", "Placement provider code is not a valid code."),
    Rule("218", "Ofsted Unique reference number (URN) is required."),
    Rule("392c", "Postcode(s) provided are invalid."),
    Rule("501", "A new episode has started before the end date of the previous episode."),
    Rule("1009", "Reason for placement change is not a valid code."),
    # ours
    Rule("RCC-EMPTY", "The file is empty."),
    Rule("RCC-HEADER-ONLY", "The file has a header but no data rows."),
    Rule("RCC-ENCODING", "The file is not UTF-8 text; save it as CSV UTF-8 and try again."),
    Rule("RCC-TRUNCATED", "The file is truncated: the last line does not end with a newline."),
    Rule("RCC-SHAPE", "The row has a different number of fields from the header."),
    Rule("RCC-PARSE", "The file cannot be read as CSV or XLSX."),
    Rule("RCC-MISSING-COLUMN", "A required column is missing."),
    Rule("RCC-EXTRA-COLUMN", "The column is not part of the format; remove it."),
    Rule("RCC-DUPLICATE-COLUMN", "The column appears more than once."),
    Rule("RCC-TABLES", "Give one Header file and one Episodes file (told apart by their "
                       "columns)."),
    Rule("RCC-MISSING-SHEET", "A required sheet is missing from the workbook."),
    Rule("RCC-REQUIRED", "A value is required."),
    Rule("RCC-TOO-LONG", "The value is too long."),
    Rule("RCC-FORMULA", "The value looks like a spreadsheet formula (it starts with =, +, -, @ "
                        "or a control character); such values are refused."),
    Rule("RCC-DUPLICATE", "The same key appears more than once."),
    Rule("RCC-DATE-ORDER", "Date episode ceased is before the date episode began."),
    Rule("RCC-DOB-FUTURE", "Date of birth is after the end of the collection year."),
    Rule("RCC-BEFORE-BIRTH", "The episode began before the child's date of birth."),
    Rule("RCC-AGE", "The child was 18 or over when the episode began."),
    Rule("RCC-PERIOD", "The date is after the end of the collection year (31 March)."),
    Rule("RCC-FUTURE", "The date is in the future."),
    Rule("RCC-CHILD", "The child has episodes but is not in the Header file."),
    Rule("RCC-NO-EPISODES", "The child is in the Header file but has no episodes."),
    Rule("RCC-LA", "Unknown local authority code."),
    Rule("RCC-CODE", "The value is not one of the allowed codes."),
    Rule("RCC-NUMBER", "The value is not a number of the right kind."),
    Rule("RCC-DATE", "The value is not a valid date (dd/mm/yyyy or yyyy-mm-dd)."),
    Rule("RCC-URN-UNKNOWN", "URN not in Ofsted's list of children's homes at 31 March 2023 "
                            "(homes open every month); placement LA not taken from it."),
    Rule("RCC-POSTCODE-UNKNOWN", "Postcode not found in the ONS Postcode Directory; its "
                                 "LA and distance are unknown."),
    Rule("RCC-PLACEMENT-LA", "Placement LA could not be found from the LA given, the "
                             "postcode or the URN; it is recorded as unknown."),
    Rule("RCC-TOO-MANY", "The submission has more rows than an import can take at once."),
)}

# --- Placements Data Standard v2 (SocialCareData/placements-standard, draft 2025-07-18) ------

RISK = ("No known risk", "Risk Present")
SUITABILITY = ("Preferred", "Suitable but not preferred", "Unsuitable", "Not specified")
YES_NO = ("Yes", "No", "Y", "N", "True", "False", "TRUE", "FALSE", "true", "false", "1", "0")
TRUE_VALUES = ("Yes", "Y", "True", "TRUE", "true", "1")

#: field -> (entity, type, required, options): the standard's JSON, in its order.
PLACEMENTS_V2_FIELDS: dict[str, tuple[str, str, bool, tuple[str, ...] | None]] = {
    "childId": ("PlacementAvailability", "Integer", True, None),
    "neededBy": ("PlacementAvailability", "Categorical", False,
                 ("Today", "in less than 5 days", "in more than 5 days")),
    "siblingCount": ("PlacementAvailability", "Integer", False, None),
    "preferredLocation": ("PlacementAvailability", "String", False, None),
    "communicationNeeds": ("PlacementRequirements", "Categorical", False,
                           ("Y", "N", "Not Specified")),
    "specificCommunicationRequirements": ("PlacementRequirements", "Categorical", False,
                                          ("ESOL", "BSL", "Makaton", "Other", "None")),
    "homeAdaptation": ("PlacementRequirements", "Boolean", False, None),
    "culturalNeeds": ("PlacementRequirements", "Categorical", False,
                      ("Required", "Not required", "Not Known", "Other")),
    "livingCompanions": ("PlacementRequirements", "Categorical", False,
                         ("Solo placement recommended", "With other children recommended",
                          "Only with other older children", "Only with other younger children",
                          "No preference")),
    "pets": ("PlacementRequirements", "Categorical", False,
             ("Yes - must", "Yes - can", "No", "Not Known")),
    "additionalSupport": ("PlacementRequirements", "Categorical", False,
                          ("additional supervision", "therapeutic support",
                           "a worker for respite", "taxis to school", "NA",
                           "other (please specify)")),
    "deprivationOfLiberty": ("PlacementRequirements", "Boolean", False, None),
    "fosterCareSuitability": ("PlacementRecommendation", "Categorical", False, SUITABILITY),
    "residentialCareSuitability": ("PlacementRecommendation", "Categorical", False, SUITABILITY),
    "supportedAccommodationSuitability": ("PlacementRecommendation", "Categorical", False,
                                          SUITABILITY),
    "riskSelfHarm": ("Risks", "Categorical", True, RISK),
    "riskSexualExploitation": ("Risks", "Categorical", True, RISK),
    "riskCriminalExploitation": ("Risks", "Categorical", True, RISK),
    "riskDrugAlcohol": ("Risks", "Categorical", True, RISK),
    "riskEatingDisorder": ("Risks", "Categorical", True, RISK),
    "riskMissing": ("Risks", "Categorical", True, RISK),
    "riskOther": ("Risks", "String", False, None),
    "riskToOthersPhysical": ("Risks", "Categorical", True, RISK),
    "riskToOthersSexual": ("Risks", "Categorical", True, RISK),
    "riskToOthersFire": ("Risks", "Categorical", True, RISK),
    "riskToOthersAnimals": ("Risks", "Categorical", True, RISK),
    "riskToOthersCriminal": ("Risks", "Categorical", True, RISK),
    "riskToOthersOther": ("Risks", "String", False, None),
    "totalWeeklyCost": ("ActualPlacement", "Integer", True, None),
    "placementLocation": ("ActualPlacement", "String", True, None),
    "preferabilityLocation": ("ActualPlacement", "Boolean", True, None),
    "educationContinuity": ("ActualPlacement", "Boolean", True, None),
    "providerURN": ("ActualPlacement", "String", True, None),
    "siblingsPlacedTogether": ("ActualPlacement", "Integer", True, None),
    "placementType": ("ActualPlacement", "Categorical", True,
                      ("Residential", "Foster", "Supported Accommodation")),
    "referralOfficerName": ("QualityAssurance", "String", False, None),
    "referralDate": ("QualityAssurance", "Date", True, None),
    "placementOfficerName": ("QualityAssurance", "String", False, None),
    "placementDate": ("QualityAssurance", "Date", True, None),
    "costOfficerName": ("QualityAssurance", "String", False, None),
    "costDate": ("QualityAssurance", "Date", True, None),
}
#: Officer names are personal data the dashboard has no use for: accepted, never stored.
PLACEMENTS_V2_NOT_STORED = ("referralOfficerName", "placementOfficerName", "costOfficerName",
                            "preferredLocation")
#: Risk options are matched without regard to case ("Risk present" appears in the spec).
RISK_PRESENT = "risk present"
#: Placements v2 placement type -> SSDA903 PLACE where one code fits. 'Foster' does not:
#: 903 splits foster care into U1-U6 by carer and location, which v2 does not record.
PLACEMENT_TYPE_903 = {"Residential": "K2", "Supported Accommodation": "H5", "Foster": None}
