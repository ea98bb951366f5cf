"""The pages' forms: ``accounts`` (sign-in), ``tickets`` (the ticket lists' filters and the
ticket page's forms), ``intake`` (the new-ticket form with its questionnaire) and
``escalation`` (escalating a ticket)."""
