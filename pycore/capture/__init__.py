"""Message capture: turns the content script's raw DOM facts into stored MessageRecords."""
