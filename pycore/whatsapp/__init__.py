"""What Mettri knows about WhatsApp Web's page: selectors and the self-test."""
