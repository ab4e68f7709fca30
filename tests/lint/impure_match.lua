-- impure-match: a receive match function that counts what it tests.
-- Line 9 is flagged.
local ls = lockstep

ls.test("a counting matcher", function()
  local tested = 0
  ls.send(ls.self(), "hello")
  ls.receive(function(m)
    tested = tested + 1
    return m == "hello"
  end)
end)
