-- Random small programs with monitors, demonitors, trapped exits, kills
-- and links, for checking dfs's reduction against every interleaving
-- (--dpor none) on the real runtime (tests/scenarios/dfs_cli_test.cc):
-- the first worker starts the second and a third; each sends to its peer,
-- receives (selectively, with a timeout, so no run deadlocks), kills it,
-- links to it, monitors it (a DOWN is a message a receive may take),
-- demonitors with flush, or starts trapping exits (a linked peer's end is
-- then a message too). The root waits for nothing: a search holds its end
-- until no worker can run. Every test passes in every schedule, and the
-- two searches must count the same classes.
--
-- The programs are drawn at load time from a fixed generator (not
-- ls.random: that would be a choice point), so every run of the file
-- defines the same tests.
local ls = lockstep

local state = 7
local function draw(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state // 65536) % n
end

local TAGS = { "a", "b" }

-- One worker's operations, each on its peer (kinds 0-7: send twice as
-- often as the others).
local function draw_ops(n)
  local ops = {}
  for i = 1, n do
    local kind = draw(8)
    if kind == 7 then
      ops[i] = { "demonitor" }
    elseif kind == 5 then
      ops[i] = { "monitor" }
    elseif kind == 6 then
      ops[i] = { "trap" }
    elseif kind <= 1 then
      ops[i] = { "send", TAGS[draw(2) + 1] }
    elseif kind == 2 then
      ops[i] = { "receive", draw(2) == 0 and TAGS[draw(2) + 1] or nil }
    elseif kind == 3 then
      ops[i] = { "kill" }
    else
      ops[i] = { "link" }
    end
  end
  return ops
end

local function run(ops, peer)
  local mon
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(peer, op[2])
    elseif op[1] == "receive" then
      local tag = op[2]
      ls.receive(function(m) return tag == nil or m == tag end, 10)
    elseif op[1] == "monitor" then
      mon = ls.monitor(peer)
    elseif op[1] == "demonitor" then
      if mon then ls.demonitor(mon, true) end
    elseif op[1] == "trap" then
      ls.trap_exit(true)
    elseif op[1] == "kill" then
      ls.exit(peer, "kill")
    else
      pcall(ls.link, peer)  -- a peer already gone raises noproc
    end
  end
end

for n = 1, 60 do
  local first, second, third = draw_ops(1 + draw(3)), draw_ops(1 + draw(3)), draw_ops(1 + draw(2))
  ls.test("random monitors " .. n, function()
    -- The first worker starts the second, so each knows the other, and a
    -- third that acts on the second.
    ls.spawn(function()
      local me = ls.self()
      local peer = ls.spawn(function() run(second, me) end)
      ls.spawn(function() run(third, peer) end)
      run(first, peer)
    end)
  end)
end
