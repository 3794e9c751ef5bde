"""Views for competent authorities (recommend, return) and the secretariat (eligibility)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


recommendation_list = recommendation_edit = nomination_return = _todo
eligibility_list = eligibility_mark = _todo
