-- hostile: write terminal escape sequences and NUL bytes through names, logs and errors
-- exit: 1
-- expect: \x1b[2J
-- expect: a\x00b
local ls = lockstep
ls.test("escapes", function()
  ls.register("a\0b", ls.self())
  print("\27]0;pwned\7 title")
  error("\27[2J cleared; name " .. "a\0b")
end)
