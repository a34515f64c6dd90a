"""Chat identity: which person a chat on the page is, and one chat under one key."""
