-- lockstep.task and lockstep.task_supervisor: Elixir's Task (SPEC 5.6).
--
-- async links the task to the caller (a crashing task takes the caller down
-- unless it traps exits) and monitors it; await raises the task's exit
-- reason if it dies, and "timeout" after the timeout, killing the task.
local ls = lockstep
local M = {}

-- The task reports its outcome itself ({ref, true, value} or {ref, false,
-- error}) before exiting, so await never depends on when its monitor was set.
local function run_and_reply(fn, owner, ref)
  return function()
    ls.label("task")
    local ok, result = pcall(fn)
    ls.send(owner, { ref, ok, result })
    if not ok then error(result, 0) end
  end
end

local function outcome(m)
  if m[2] then return m[3] end
  error(m[3], 0)
end

-- async(fn) -> task
function M.async(fn)
  local owner = ls.self()
  local ref = ls.make_ref()
  local pid = ls.spawn_link(run_and_reply(fn, owner, ref))
  local mon = ls.monitor(pid)
  return { pid = pid, ref = ref, monitor = mon }
end

-- await(task, [timeout_ms = 5000]) -> the task's result
function M.await(task, timeout)
  local m = ls.receive(function(m)
    return type(m) == "table" and (m[1] == task.ref or (m[1] == "DOWN" and m[2] == task.monitor))
  end, timeout or 5000)
  if m == nil then
    ls.unlink(task.pid)
    ls.exit(task.pid, "kill")
    ls.demonitor(task.monitor, { flush = true })
    ls.abandon_ref(task.ref)
    error("timeout", 0)
  end
  if m[1] == task.ref then
    ls.demonitor(task.monitor, { flush = true })
    return outcome(m)
  end
  error(m[4], 0)
end

-- async_stream(list, fn, {max_concurrency = n}) -> results, in input order
function M.async_stream(list, fn, opts)
  local max = (opts and opts.max_concurrency) or #list
  if max < 1 then max = 1 end
  local results, running, next_i, done = {}, {}, 1, 0
  local function launch()
    local i = next_i
    next_i = next_i + 1
    local item = list[i]
    running[#running + 1] = { index = i, task = M.async(function() return fn(item) end) }
  end
  while done < #list do
    while #running < max and next_i <= #list do launch() end
    local m = ls.receive(function(m)
      if type(m) ~= "table" then return false end
      for _, r in ipairs(running) do
        if m[1] == r.task.ref or (m[1] == "DOWN" and m[2] == r.task.monitor) then return true end
      end
      return false
    end)
    for k, r in ipairs(running) do
      if m[1] == r.task.ref then
        ls.demonitor(r.task.monitor, { flush = true })
        results[r.index] = outcome(m)
        table.remove(running, k)
        done = done + 1
        break
      elseif m[1] == "DOWN" and m[2] == r.task.monitor then
        error(m[4], 0)
      end
    end
  end
  return results
end

ls.task = M

-- Task.Supervisor: children are linked to the supervisor, which traps
-- exits, so a crashing child is no crash of the caller (and no bug).
local S = {}

local sup_mod = {
  name = "task_supervisor",
  init = function()
    ls.trap_exit(true)
    return "ok", {}
  end,
  handle_call = function(req, from, state)
    local fn, reply_to, ref = req[2], req[3], req[4]
    local pid
    if req[1] == "async" then
      pid = ls.spawn_link(run_and_reply(fn, reply_to, ref))
    else
      pid = ls.spawn_link(function() ls.label("task"); fn() end)
    end
    return "reply", pid, state
  end,
  handle_info = function(msg, state) return "noreply", state end, -- children's EXITs
}

function S.start(opts) return ls.genserver.start(sup_mod, nil, opts) end

-- async(sup, fn) -> task (await it with task.await)
function S.async(sup, fn)
  local ref = ls.make_ref()
  local pid = ls.genserver.call(sup, { "async", fn, ls.self(), ref })
  local mon = ls.monitor(pid)
  return { pid = pid, ref = ref, monitor = mon }
end

-- start_child(sup, fn) -> pid of a fire-and-forget child
function S.start_child(sup, fn) return ls.genserver.call(sup, { "child", fn }) end

ls.task_supervisor = S
