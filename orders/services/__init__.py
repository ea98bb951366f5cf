"""Use cases that change orders, requests and the inventory, split by subdomain: placing and
updating orders (ordering), their lifecycle and handover (delivery), the lead-time table
(lead_times), simple service requests (ssr), change requests (changes), the planned-work
notice (notices) and what a new tenant starts with (defaults)."""
