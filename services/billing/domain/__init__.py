"""Billing's rules (fees, pro rata, late fees) come with the billing issue; money is in `shared.money`."""
