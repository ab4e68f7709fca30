-- Random small programs of three workers that kill, link, monitor, send
-- two kinds of message, receive by pattern (one kind, the other, or any,
-- each with a timeout) and write a table, for checking dfs's rules for
-- kills and for receives that pass messages by, together, against every
-- interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc). A receive killed while it waits, a
-- message it would or would not take, and the exit that ends it race in
-- ways random_kill_programs.lua's receives (which take anything) do not.
-- The root owns the table and sleeps until no worker can run; worker 1
-- starts workers 2 and 3; each applies its operations to the workers it
-- knows (2 knows 1; 3 knows 1 and 2). Every test passes in every schedule.
--
-- The programs are drawn at load time from a fixed generator (not
-- ls.random: that would be a choice point), so every run of the file
-- defines the same tests.
local ls = lockstep

local state = 23
local function draw(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state // 65536) % n
end

local KINDS = { "send a", "send b", "send a", "monitor", "kill", "receive a", "receive b", "receive", "receive",
                "write", "link" }
local KNOWS = { { 2, 3 }, { 1 }, { 1, 2 } }

local function draw_ops(worker)
  local ops = {}
  for i = 1, 1 + draw(4) do
    local known = KNOWS[worker]
    ops[i] = { KINDS[draw(#KINDS) + 1], known[draw(#known) + 1] }
  end
  return ops
end

local function run(ops, peers, t)
  for _, op in ipairs(ops) do
    local k, p = op[1], peers[op[2]]
    if k == "send a" then ls.send(p, "a")
    elseif k == "send b" then ls.send(p, "b")
    elseif k == "monitor" then ls.monitor(p)
    elseif k == "kill" then ls.exit(p, "kill")
    elseif k == "receive a" then ls.receive(function(m) return m == "a" end, 10)
    elseif k == "receive b" then ls.receive(function(m) return m == "b" end, 10)
    elseif k == "receive" then ls.receive(function() return true end, 10)
    elseif k == "write" then ls.ets.insert(t, { "k", op[2] })
    else pcall(ls.link, p) end  -- a peer already gone raises noproc
  end
end

for n = 1, 40 do
  local a, b, c = draw_ops(1), draw_ops(2), draw_ops(3)
  ls.test("random selective kills " .. n, function()
    local t = ls.ets.new("t", { access = "public" })
    ls.spawn(function()
      local peers = { ls.self() }
      peers[2] = ls.spawn(function() run(b, peers, t) end)
      peers[3] = ls.spawn(function() run(c, peers, t) end)
      run(a, peers, t)
    end)
    ls.sleep(100)  -- time moves on once no worker can run
  end)
end
