-- The centre hierarchy, copied whole into the store on every poll.
SELECT center_code, name, parent_code, level FROM centers
