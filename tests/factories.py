"""factory_boy factories for the portal's models."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from locations.models import Location
from models_catalog.models import StationModel
from portal.access import Role
from portal.models import Company, User
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
        if extracted is not None:
            self.groups.add(Group.objects.get_or_create(name=extracted.group_name)[0])

    @factory.post_generation
    def companies(self, create: bool, extracted: list[Company] | None, **kwargs: object) -> None:
        if extracted:
            self.companies.set(extracted)
        self.save()


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    company = factory.SubFactory(CompanyFactory)
    label = factory.Sequence(lambda n: f"Station {n}")
    charge_box_identity = factory.Sequence(lambda n: f"CB-{n:05d}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Location {n}")
    city = "Utrecht"
    country_code = "NL"


class StationModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationModel

    vendor = "Alfen"
    model = factory.Sequence(lambda n: f"Eve Single Pro {n}")
    power_type = StationModel.PowerType.AC_3_PHASE
