"""Households and persons: who lives together, each member's ID number (GB 11643, checked and masked here),
relation, labour capacity, disability and declared income and property; the household pages, list, search and
Excel export. Everything else hangs off a household (applications, enrolments, help), so this app sits low:
it imports only accounts and the basics, and pages that compose what higher apps know about a household (the
detail page shows enrolments, linked benefits and help) import those apps' selectors from the views layer."""
