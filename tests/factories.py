import datetime

import factory

from agencies.enums import Role
from agencies.models import Agency, User
from agencies.services import agency_create, role_grant
from awards.enums import CategoryKind, StageKind
from awards.models import AwardScheme, Category, Edition, Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"使用者 {n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for item in extracted or ():
            role, agency = item if isinstance(item, tuple) else (item, None)
            role_grant(user=self, role=role, agency=agency)
        if create:
            self.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"AG{n:04d}")
    name_zh = factory.Sequence(lambda n: f"測試機關{n}")
    name_en = factory.Sequence(lambda n: f"Test Agency {n}")
    agency_type = "household_registration"
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return agency_create(**kwargs)


def secretariat_user(**kwargs):
    return UserFactory(roles=[Role.SECRETARIAT], **kwargs)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardScheme

    code = factory.Sequence(lambda n: f"scheme-{n}")
    name_zh = factory.Sequence(lambda n: f"服務品質獎{n}")
    name_en = factory.Sequence(lambda n: f"Service Quality Award {n}")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    scheme = factory.SubFactory(SchemeFactory)
    number = factory.Sequence(lambda n: n + 1)
    year_label = "2016"
    name_zh = factory.LazyAttribute(lambda o: f"第{o.number}屆")
    name_en = factory.LazyAttribute(lambda o: f"Edition {o.number}")
    time_zone = "Asia/Taipei"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    edition = factory.SubFactory(EditionFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    kind = CategoryKind.FIRST_LINE
    name_zh = "第一線服務機關"
    name_en = "First-line service agencies"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    edition = factory.SubFactory(EditionFactory)
    kind = StageKind.NOMINATION
    name_zh = "自薦"
    name_en = "Nomination"
    starts_on = datetime.date(2016, 1, 5)
    ends_on = datetime.date(2016, 1, 11)
