-- lockstep.supervisor: OTP's supervisor (SPEC 5.6) with its three
-- restart strategies. Each child spec is {id = ..., start = fn -> pid,
-- restart = "permanent" | "transient" | "temporary", shutdown = ms}; start
-- runs in the supervisor and must return a pid linked to it (spawn_link,
-- genserver.start_link).
--   one_for_one   a child that ends is restarted alone;
--   one_for_all   the others are shut down (last started first), then all
--                 are started again in order;
--   rest_for_one  the children started after it are shut down (last
--                 first), then it and they are started again in order.
-- A child is shut down as OTP does: exit(child, "shutdown"), then up to
-- `shutdown` ms (default 5000) of virtual time for it to end, then "kill".
-- A temporary child shut down for a sibling's restart is not started
-- again. More than max_restarts restarts (a group restart counts once)
-- within max_seconds of virtual time make the supervisor shut every child
-- down and exit with "shutdown".
local ls = lockstep
local M = {}

local STRATEGIES = { one_for_one = true, one_for_all = true, rest_for_one = true }

local function start_child(child)
  local ok, pid = pcall(child.spec.start)
  if ok and pid ~= nil then
    child.pid = pid
  else
    child.pid = nil
  end
end

local function should_restart(restart, reason)
  if restart == "temporary" then return false end
  if restart == "transient" then return reason ~= "normal" and reason ~= "shutdown" end
  return true -- permanent
end

-- Ends one child and waits until it has ended. The child stays linked
-- until then (OTP unlinks first): a child that crashes on its way down is
-- still a supervised child, never an unlinked crash; the EXIT its end
-- sends is dropped here.
local function terminate(c)
  local pid = c.pid
  c.pid = nil
  if pid == nil then return end
  local ref = ls.monitor(pid)
  ls.exit(pid, "shutdown")
  local down = function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end
  if ls.receive(down, c.spec.shutdown or 5000) == nil then
    ls.exit(pid, "kill") -- it did not end in time (it traps exits)
    ls.receive(down)
  end
  ls.receive(function(m) return type(m) == "table" and m[1] == "EXIT" and m[2] == pid end, 0)
end

-- Ends children[from..#children], the last started first.
local function terminate_from(children, from)
  for i = #children, from, -1 do terminate(children[i]) end
end

-- Counts one restart; false when the intensity is exceeded.
local function allow_restart(state)
  local now = ls.now()
  local recent = { now }
  for _, t in ipairs(state.restarts) do
    if now - t <= state.window then recent[#recent + 1] = t end
  end
  state.restarts = recent
  return #recent <= state.max_restarts
end

-- The child at index i ended with `reason`: restart what the strategy says.
local function child_ended(state, i, reason)
  local children = state.children
  local c = children[i]
  c.pid = nil
  local restart = c.spec.restart or "permanent"
  if not should_restart(restart, reason) then
    if restart == "temporary" then table.remove(children, i) end
    return
  end
  if not allow_restart(state) then
    terminate_from(children, 1)
    ls.exit("shutdown") -- restart intensity exceeded
  end
  if state.strategy == "one_for_one" then
    start_child(c)
    return
  end
  local first = state.strategy == "one_for_all" and 1 or i
  terminate_from(children, first)
  -- Start the group again in order; a temporary sibling stays down.
  local kept = {}
  for k, child in ipairs(children) do
    if k < first or child == c or (child.spec.restart or "permanent") ~= "temporary" then
      kept[#kept + 1] = child
    end
  end
  state.children = kept
  for k = first, #kept do start_child(kept[k]) end
end

local function loop(state, parent)
  while true do
    local m = ls.receive()
    if type(m) == "table" and m[1] == "EXIT" then
      if m[2] == parent then
        terminate_from(state.children, 1)
        ls.exit(m[3])
      end
      for i, c in ipairs(state.children) do
        if c.pid == m[2] then
          child_ended(state, i, m[3])
          break
        end
      end
    elseif type(m) == "table" and m[1] == "$which_children" then
      local list = {}
      for _, c in ipairs(state.children) do
        list[#list + 1] = { id = c.spec.id, pid = c.pid, restart = c.spec.restart or "permanent" }
      end
      ls.send(m[2], { m[3], list })
    end
  end
end

local function start(children_specs, opts, link)
  opts = opts or {}
  local strategy = opts.strategy or "one_for_one"
  if not STRATEGIES[strategy] then
    error("supervisor: unknown strategy \"" .. tostring(strategy) ..
          "\" (one_for_one, one_for_all or rest_for_one)", 2)
  end
  local parent = ls.self()
  local ack = ls.make_ref()
  local body = function()
    ls.label(opts.name or "supervisor")
    if opts.name then ls.register(opts.name, ls.self()) end
    ls.trap_exit(true)
    local state = {
      children = {},
      strategy = strategy,
      restarts = {},
      max_restarts = opts.max_restarts or 3,
      window = (opts.max_seconds or 5) * 1000,
    }
    for _, spec in ipairs(children_specs) do
      local c = { spec = spec }
      start_child(c)
      state.children[#state.children + 1] = c
    end
    ls.send(parent, { ack, "ok" })
    loop(state, link and parent or nil)
  end
  local pid = link and ls.spawn_link(body) or ls.spawn(body)
  ls.receive(function(m) return type(m) == "table" and m[1] == ack end)
  return pid
end

-- start(children, [opts]) -> pid
function M.start(children, opts) return start(children, opts, false) end
function M.start_link(children, opts) return start(children, opts, true) end

-- which_children(sup) -> list of {id, pid (nil if not running), restart}
function M.which_children(sup)
  if type(sup) == "string" then sup = ls.whereis(sup) end
  local ref = ls.make_ref()
  ls.send(sup, { "$which_children", ls.self(), ref })
  return ls.receive(function(m) return type(m) == "table" and m[1] == ref end)[2]
end

ls.supervisor = M
