"""Case-level importers: SSDA903 (Header + Episodes) and the Placements Data Standard v2.

``ssda903.import_files`` / ``ssda903.import_frames`` / ``ssda903.import_many`` and
``placements_v2.import_file`` validate a submission, enrich it (placement LA, distance,
needs) and write it in one transaction, or refuse it with an ``ImportReport`` and write
nothing. ``case_tables.import_log`` reads the log of every import.
"""
