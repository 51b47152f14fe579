"""Signing in (issue 29): django-allauth's login and two-factor flows in the portal's pages.

``adapters`` fits allauth to the portal (no self sign-up, axes throttles passwords, secrets encrypted),
``forms`` keeps the sign-in form's field names, ``gate`` sends who must hold a second factor to enrol,
``services`` resets a person's factors (audited), ``urls`` lists the allauth pages the portal serves.
"""
