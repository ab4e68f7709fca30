-- The generator and interpreter that tests/dfs/random_timers.lua and
-- tests/dfs/random_any_timers.lua draw their programs from: sends, receive
-- timeouts (0, short, long), selective receives, sleeps, and send_after
-- with and without cancel_timer. Every receive has a timeout, so no run
-- deadlocks.
--
-- A fixed generator (not ls.random: that would be a choice point), so
-- every run of a file defines the same tests.
local ls = lockstep

local programs = {}

-- A generator drawing from the linear congruential sequence at `seed`.
function programs.generator(seed)
  local state = seed
  local g = {}

  function g.draw(n)
    state = (state * 1103515245 + 12345) % 2147483648
    return (state // 65536) % n
  end

  local TIMEOUTS = { 0, 5, 20 }
  local TAGS = { "a", "b" }

  -- One process's `n` operations, small tables interpreted by programs.run.
  -- `messages_only` keeps to sends and receives; `polls_only` gives every
  -- receive the timeout 0.
  function g.ops(n, may_send_after, messages_only, polls_only)
    local draw = g.draw
    local ops = {}
    for i = 1, n do
      local kind = draw(may_send_after and 5 or 4)
      if messages_only and kind >= 2 then kind = kind % 2 end
      if kind == 0 then
        ops[i] = { "send", TAGS[draw(2) + 1] }
      elseif kind == 1 then
        ops[i] = { "receive", draw(2) == 0 and TAGS[draw(2) + 1] or nil, TIMEOUTS[draw(3) + 1] }
        if polls_only then ops[i][3] = 0 end
      elseif kind == 2 then
        ops[i] = { "sleep", draw(2) == 0 and 1 or 10 }
      elseif kind == 3 then
        ops[i] = { "send", TAGS[draw(2) + 1] }
      else
        ops[i] = { "send_after", TAGS[draw(2) + 1], draw(2) == 0 and 3 or 30, draw(2) == 0 }
      end
    end
    return ops
  end

  return g
end

local function pattern(tag)
  if tag == nil then return nil end
  return function(m) return m == tag end
end

-- Runs `ops`, sending to `peer`.
function programs.run(ops, peer)
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(peer, op[2])
    elseif op[1] == "receive" then
      ls.receive(pattern(op[2]), op[3])
    elseif op[1] == "sleep" then
      ls.sleep(op[2])
    else
      local t = ls.send_after(peer, op[2], op[3])
      if op[4] then ls.cancel_timer(t) end
    end
  end
end

-- Defines the test `name`: two workers and the root; the root talks to the
-- first worker, the second worker to the root.
function programs.test(name, mode, workers, root_ops)
  ls.test(name, { timers = mode }, function()
    local root = ls.self()
    local pids = {}
    for w = 1, 2 do
      pids[w] = ls.spawn(function() programs.run(workers[w], root) end)
    end
    programs.run(root_ops, pids[1])
  end)
end

return programs
