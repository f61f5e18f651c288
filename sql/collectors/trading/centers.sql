-- The centre hierarchy, read on every poll (stored when it changed).
SELECT center_code, name, parent_code, level FROM centers
