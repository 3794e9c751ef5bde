"""Who may see rubrics: the secretariat, who configures the cycle (changes are made in the
admin). Writers and reviewers read a rubric only through their dossier or review."""

import rules

from agencies.rules import is_secretariat

rules.add_perm("rubrics.see_rubric", is_secretariat)
# The rubric editor (awards:config_rubric): the secretariat, staff flag or not.
rules.add_perm("rubrics.edit_rubric", is_secretariat)
