"""Pure pandas domain logic: rates, scopes, geography changes, suppression. No I/O, no UI."""
