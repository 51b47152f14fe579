"""Forms for creating and editing stations, one module per form.

* :mod:`stations.forms.create`: the new-station form (``StationCreateForm``) and ``apply_errors``;
* :mod:`stations.forms.evse_rows`: the manual EVSE and connector rows (``EvseRows``), which the create
  form and the hardware form of an existing station (``stations.hardware``) share;
* :mod:`stations.forms.edit`: the full GreenFlux edit (``StationEditForm``) and the one-field quick edits;
* :mod:`stations.forms.fields`: the pickers and helpers those forms share.

Django fields parse what was typed; the upstream's rules live in
``stations.validation`` and are applied to the whole :class:`StationInput`
so that the forms and the CSV importer refuse exactly the same things.
Pickers list only what fits the chosen backend and company, but accept any
record the user may see, so that a wrong pick gets a message that says why
(a technician of another company) rather than "not a valid choice".
"""
