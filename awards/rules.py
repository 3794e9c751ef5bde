import rules

from agencies.rules import is_secretariat

rules.add_perm("awards.view_cycle_setup", is_secretariat)
