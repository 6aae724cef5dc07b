"""E-mail: what the service tells people, the outbox every message passes through, and its delivery.

- messages.py: which events tell whom (a cycle opened, a return sent back ...);
- reminders.py: the reminder schedule, as a pure function of dates, and its pass;
- compose.py: a message from its template file (which a council can edit);
- outbox.py: the outbox rows, and delivering one (claim, cancel, send, retry);
- delivery.py: SMTP or GOV.UK Notify, from SECTION17_MAIL_URL and friends.
"""
