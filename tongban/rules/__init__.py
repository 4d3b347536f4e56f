"""Rules as code: pure eligibility, duration and amount calculations (no ORM, no clock)."""
