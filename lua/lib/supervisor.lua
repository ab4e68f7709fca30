-- lockstep.supervisor: OTP's supervisor with the one_for_one strategy
-- (SPEC 5.6). Each child spec is {id = ..., start = fn -> pid, restart =
-- "permanent" | "transient" | "temporary"}; start runs in the supervisor
-- and must return a pid linked to it (spawn_link, genserver.start_link).
-- More than max_restarts restarts within max_seconds of virtual time make
-- the supervisor shut its children down and exit with "shutdown".
local ls = lockstep
local M = {}

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

local function shutdown(children)
  for i = #children, 1, -1 do
    local c = children[i]
    if c.pid ~= nil then
      ls.unlink(c.pid)
      ls.exit(c.pid, "shutdown")
      c.pid = nil
    end
  end
end

local function loop(children, opts, parent)
  local restarts = {}
  local max_restarts = opts.max_restarts or 3
  local window = (opts.max_seconds or 5) * 1000
  while true do
    local m = ls.receive()
    if type(m) == "table" and m[1] == "EXIT" then
      if m[2] == parent then
        shutdown(children)
        ls.exit(m[3])
      end
      for _, c in ipairs(children) do
        if c.pid == m[2] then
          c.pid = nil
          if should_restart(c.spec.restart or "permanent", m[3]) then
            local now = ls.now()
            restarts[#restarts + 1] = now
            local recent = {}
            for _, t in ipairs(restarts) do
              if now - t <= window then recent[#recent + 1] = t end
            end
            restarts = recent
            if #restarts > max_restarts then
              shutdown(children)
              ls.exit("shutdown") -- restart intensity exceeded
            end
            start_child(c)
          end
          break
        end
      end
    elseif type(m) == "table" and m[1] == "$which_children" then
      local list = {}
      for _, c in ipairs(children) do
        list[#list + 1] = { id = c.spec.id, pid = c.pid, restart = c.spec.restart or "permanent" }
      end
      ls.send(m[2], { m[3], list })
    end
  end
end

local function start(children_specs, opts, link)
  opts = opts or {}
  if opts.strategy and opts.strategy ~= "one_for_one" then
    error("supervisor: only the one_for_one strategy is supported", 2)
  end
  local parent = ls.self()
  local ack = ls.make_ref()
  local body = function()
    ls.label(opts.name or "supervisor")
    if opts.name then ls.register(opts.name, ls.self()) end
    ls.trap_exit(true)
    local children = {}
    for _, spec in ipairs(children_specs) do
      local c = { spec = spec }
      start_child(c)
      children[#children + 1] = c
    end
    ls.send(parent, { ack, "ok" })
    loop(children, opts, link and parent or nil)
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
