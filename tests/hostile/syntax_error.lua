-- hostile: a syntax error
-- exit: 3
-- expect: syntax_error.lua:6: <name> or '...' expected near 'end'
local ls = lockstep
-- the next line does not parse
ls.test("broken", function( end)
