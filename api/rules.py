"""Who may do what with API tokens. Every other permission of the API is the pages' own
(awards.see_nomination, scoring.view_standings, results.manage, ...)."""

import rules


@rules.predicate
def is_token_owner(user, token):
    return token is not None and user.is_authenticated and token.user_id == user.pk


rules.add_perm("api.manage_tokens", rules.is_authenticated)
rules.add_perm("api.revoke_token", is_token_owner)
