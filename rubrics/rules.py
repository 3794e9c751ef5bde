"""Who may see and change rubrics: the secretariat, who configures the cycle. Writers and
reviewers read a rubric only through the pages of their dossier or review."""

import rules

from agencies.rules import is_secretariat

rules.add_perm("rubrics.view_rubric", is_secretariat)
rules.add_perm("rubrics.change_rubric", is_secretariat)
