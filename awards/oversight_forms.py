"""Forms for the competent authority's ranking and the secretariat's eligibility check.
They only read and validate input; the writes are awards.services'."""

import re
from collections import defaultdict

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.numbers import StrictIntegerField, parse_int

from .enums import NominationState
from .models import Category, Edition

RANK_FIELD = re.compile(r"rank-(\d+)")
FORM_ID = "ranking-form"
REASON_REQUIRED = _("Give a reason: the agency will read it.")


def about(subject, problem) -> str:
    """A problem named with what it is about: "<subject>: <problem>"."""
    return gettext("%(subject)s: %(problem)s") % {"subject": subject, "problem": problem}


def nomination_label(nomination) -> str:
    return f"{nomination.agency.name} · {nomination.category.name}"


class RankingForm(forms.Form):
    """One optional "Rank" per nomination (blank: not recommended). `ranking()` gives
    the nomination ids in rank order for nominations_recommend.

    Rank fields for nominations not on the page (a crafted POST, or a nomination that
    left the list meanwhile) are read too and handed to the service, which refuses
    them, so nothing is silently dropped."""

    def __init__(self, *args, nominations, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominations = {n.pk: n for n in nominations}
        self.duplicate_pks: set[int] = set()
        self._by_rank: dict[int, list[int]] = {}
        for pk, nomination in self.nominations.items():
            self.fields[f"rank-{pk}"] = self._rank_field(
                label=gettext("Rank of %(nomination)s")
                % {"nomination": nomination_label(nomination)},
                initial=nomination.recommendation_rank
                if nomination.state == NominationState.RECOMMENDED
                else None,
            )
        if self.is_bound:
            for key in self.data:
                if RANK_FIELD.fullmatch(key) and key not in self.fields:
                    self.fields[key] = self._rank_field(label=key)

    @staticmethod
    def _rank_field(*, label, initial=None):
        return StrictIntegerField(
            label=label,
            required=False,
            min_value=1,
            max_value=999,
            initial=initial,
            # The inputs sit in table rows that also hold other forms; they join the
            # ranking form through the `form` attribute (forms cannot nest).
            widget=forms.NumberInput(
                attrs={"class": "rank-input", "inputmode": "numeric", "form": FORM_ID}
            ),
        )

    def bound_field(self, nomination):
        return self[f"rank-{nomination.pk}"]

    def clean(self):
        cleaned = super().clean()
        by_rank = defaultdict(list)
        for key, value in cleaned.items():
            if value is not None:
                by_rank[value].append(int(RANK_FIELD.fullmatch(key).group(1)))
        for rank, pks in sorted(by_rank.items()):
            if len(pks) < 2:
                continue
            names = [
                nomination_label(self.nominations[pk]) if pk in self.nominations else f"#{pk}"
                for pk in sorted(pks)
            ]
            self.add_error(
                None,
                gettext(
                    "Rank %(rank)s is given to more than one nomination (%(names)s). "
                    "Give each nomination its own rank."
                )
                % {"rank": rank, "names": gettext("; ").join(names)},
            )
            self.duplicate_pks.update(pks)
            for pk in pks:
                field = self.fields.get(f"rank-{pk}")
                if field is not None:
                    field.widget.attrs["aria-invalid"] = "true"
        self._by_rank = by_rank
        return cleaned

    def ranking(self) -> list[int]:
        """Nomination ids in the order of their ranks (gaps close up: 1, 3 -> 1, 2)."""
        return [pks[0] for _rank, pks in sorted(self._by_rank.items())]

    def error_summary(self) -> list[str]:
        """Every problem in one list, each naming the row it is about."""
        problems = list(self.non_field_errors())
        for name, errors in self.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS:
                continue
            label = self.fields[name].label if name in self.fields else name
            problems.extend(about(label, error) for error in errors)
        return problems


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": REASON_REQUIRED},
        help_text=_("The agency reads this and may correct its dossier until the deadline."),
    )


class EligibilityForm(forms.Form):
    ELIGIBLE, INELIGIBLE = "eligible", "ineligible"

    decision = forms.ChoiceField(choices=[(ELIGIBLE, _("Eligible")), (INELIGIBLE, _("Ineligible"))])
    reason = forms.CharField(required=False, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.INELIGIBLE and not cleaned.get("reason"):
            self.add_error("reason", REASON_REQUIRED)
        return cleaned


class EligibilityFilterForm(forms.Form):
    """The secretariat's filters. The category list holds only the chosen edition's
    categories; a category left over from another edition is dropped, not an error."""

    edition = forms.ModelChoiceField(
        label=_("Edition"),
        queryset=Edition.objects.select_related("scheme").order_by("scheme__code", "-number"),
        required=False,
        empty_label=_("All editions"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    # Only the chosen edition's categories are listed, beside the edition's own
    # dropdown: their names alone are unambiguous (Category.__str__ adds the edition).
    category.label_from_instance = lambda category: category.name
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *NominationState.choices],
        required=False,
    )
    authority = forms.ModelChoiceField(
        label=_("Competent authority"),
        queryset=Agency.objects.filter(is_competent_authority=True).order_by("code"),
        required=False,
        empty_label=_("All competent authorities"),
    )
    q = forms.CharField(
        label=_("Agency name or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else None
        super().__init__(data, **kwargs)
        self.fields["edition"].label_from_instance = lambda e: e.name
        self.fields["authority"].label_from_instance = lambda a: a.name
        edition_id = (data or {}).get("edition", "")
        edition_pk = parse_int(edition_id)
        if edition_pk is not None:
            categories = Category.objects.filter(edition_id=edition_pk).order_by("order", "code")
            self.fields["category"].queryset = categories
            chosen = data.get("category", "")
            if chosen and chosen not in {str(pk) for pk in categories.values_list("pk", flat=True)}:
                data["category"] = ""
        else:
            self.fields["category"].disabled = True
            self.fields["category"].help_text = _("Choose an edition to filter by its categories.")

    def filters(self) -> dict:
        """The valid filters, for nominations_for_secretariat; an invalid one is left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "edition": data.get("edition"),
            "category": data.get("category"),
            "state": data.get("state") or None,
            "authority": data.get("authority"),
            "q": (data.get("q") or "").strip(),
        }
