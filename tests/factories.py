"""factory_boy factories for the portal's models."""

from __future__ import annotations

import factory

from locations.models import Location
from models_catalog.models import StationModel
from portal.access import Role
from portal.models import Backend, Company, Membership, User
from stations.models import Station

PASSWORD = "correct-horse-battery-staple"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Company {n}")
    upstream_ref = factory.Faker("uuid4")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        self._factory_role = extracted

    @factory.post_generation
    def companies(self, create: bool, extracted: list[Company] | None, **kwargs: object) -> None:
        """``role`` in each of ``companies`` (a role is a membership's: without a role, no membership)."""
        self.save()
        if extracted and self._factory_role is not None:
            for company in extracted:
                Membership.objects.update_or_create(user=self, company=company,
                                                    defaults={"role": self._factory_role})

    @factory.post_generation
    def memberships(self, create: bool, extracted: dict[Company, Role] | None, **kwargs: object) -> None:
        """Roles that differ per company: ``memberships={company_a: Role.ADMIN, company_b: Role.VIEWER}``."""
        for company, role in (extracted or {}).items():
            Membership.objects.update_or_create(user=self, company=company, defaults={"role": role})


class BackendFactory(factory.django.DjangoModelFactory):
    """A backend row; tests that talk upstream build theirs from the simulator (``tests.upstream``)."""

    class Meta:
        model = Backend

    name = factory.Sequence(lambda n: f"Backend {n}")
    kind = Backend.Kind.GREENFLUX
    company = factory.SubFactory(CompanyFactory)
    base_url = "http://127.0.0.1:9/greenflux"
    credentials = factory.LazyFunction(lambda: {"token": "unused"})


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    company = factory.SubFactory(CompanyFactory)
    backend = factory.SubFactory(BackendFactory, company=factory.SelfAttribute("..company"))
    label = factory.Sequence(lambda n: f"Station {n}")
    charge_box_identity = factory.Sequence(lambda n: f"CB-{n:05d}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    company = factory.SubFactory(CompanyFactory)
    backend = factory.SubFactory(BackendFactory, company=factory.SelfAttribute("..company"), kind="chargeye")
    name = factory.Sequence(lambda n: f"Location {n}")
    city = "Utrecht"
    country_code = "NL"


class StationModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationModel

    backend = factory.SubFactory(BackendFactory, company=None, kind="models")
    vendor = "Alfen"
    model = factory.Sequence(lambda n: f"Eve Single Pro {n}")
    power_type = StationModel.PowerType.AC_3_PHASE

    @factory.post_generation
    def beenergised_model_id(obj: StationModel, create: bool, extracted: int | None, **kwargs: object) -> None:
        """``beenergised_model_id=N``: the model is be.ENERGISED model N in every company that exists now
        (each company has its own mapping; ``beenergised_model_id__mapped_in=[...]`` names them instead)."""
        from stations.models import ModelIdMapping

        if extracted is None or not create:
            return
        companies = kwargs.get("mapped_in") or Company.objects.all()
        for company in companies:  # type: ignore[attr-defined]
            ModelIdMapping.objects.get_or_create(company=company, beenergised_model_id=extracted,
                                                 defaults={"model": obj})
