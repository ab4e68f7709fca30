-- How processes are numbered decides this test: the root starts A and
-- then B, and A starts C, so B is numbered before C unless A's start of C
-- runs before the root's start of B. The two starts touch nothing in
-- common, so a partial-order reduction would run one order; comparing the
-- pids reads the numbering, and dfs then lets every creation race on it
-- and finds the order that fails ("compared"). By how they were made (each
-- process's creation path) the states after the three starts are one
-- state either way, so a state cache also puts the numbering in its
-- states. The twin only asks whether they are the same process, which
-- reads nothing.
local ls = lockstep

local function start()
  local me = ls.self()
  ls.spawn(function()
    local c = ls.spawn(function() end)
    ls.send(me, c)
  end)
  local b = ls.spawn(function() end)
  return b, ls.receive()
end

ls.test("compared", function()
  local b, c = start()
  assert(c < b, "B was numbered before C")
end)

ls.test("told apart", function()
  local b, c = start()
  assert(b ~= c, "B and C are one process")
end)
