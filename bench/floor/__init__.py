"""The floor: the cheapest signed-in, CSRF-checked POST this stack can serve (one INSERT)."""
