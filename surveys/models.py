# The household telephone poll lives here (see the poll issue).
