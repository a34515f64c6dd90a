"""The CRM: a record per person with tags, notes, deals, custom fields and reminders (issue 13)."""
