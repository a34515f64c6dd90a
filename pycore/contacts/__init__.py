"""Contacts: chat-list rows from the scraper, LID/phone merging, scraper pacing."""
