-- lockstep.registry: Elixir's Registry (SPEC 5.6), as a process that
-- monitors the processes registered in it and drops their entries when
-- they exit. register and unregister act for the calling process.
local ls = lockstep
local gs = ls.genserver
local M = {}

local mod = {
  name = "registry",
  init = function(opts)
    return "ok", { unique = (opts.keys or "unique") == "unique", entries = {}, monitors = {} }
  end,
  handle_call = function(req, from, st)
    local op, key = req[1], req[2]
    local caller = from[1]
    local list = st.entries[key] or {}
    if op == "register" then
      if st.unique and #list > 0 then return "reply", { false, list[1][1] }, st end
      list[#list + 1] = { caller, req[3] }
      st.entries[key] = list
      if not st.monitors[caller] then st.monitors[caller] = ls.monitor(caller) end
      return "reply", { true }, st
    elseif op == "unregister" then
      local kept = {}
      for _, e in ipairs(list) do
        if e[1] ~= caller then kept[#kept + 1] = e end
      end
      st.entries[key] = #kept > 0 and kept or nil
      return "reply", "ok", st
    elseif op == "lookup" then
      return "reply", list, st
    end
  end,
  handle_info = function(msg, st)
    if type(msg) == "table" and msg[1] == "DOWN" then
      local gone = msg[3]
      st.monitors[gone] = nil
      for key, list in pairs(st.entries) do
        local kept = {}
        for _, e in ipairs(list) do
          if e[1] ~= gone then kept[#kept + 1] = e end
        end
        st.entries[key] = #kept > 0 and kept or nil
      end
    end
    return "noreply", st
  end,
}

-- start({keys = "unique" | "duplicate"}) -> registry pid
function M.start(opts, start_opts) return gs.start(mod, opts or {}, start_opts) end
-- start_link(opts, [start_opts]): the same, linked to the caller (a supervisor's child)
function M.start_link(opts, start_opts) return gs.start_link(mod, opts or {}, start_opts) end

-- register(reg, key, value) -> true, or false and the pid holding a unique key
function M.register(reg, key, value)
  local r = gs.call(reg, { "register", key, value })
  if r[1] then return true end
  return false, r[2]
end

function M.unregister(reg, key) return gs.call(reg, { "unregister", key }) end

-- lookup(reg, key) -> list of {pid, value}
function M.lookup(reg, key) return gs.call(reg, { "lookup", key }) end

-- dispatch(reg, key, fn): calls fn(entries) with the {pid, value} entries, if any
function M.dispatch(reg, key, fn)
  local entries = M.lookup(reg, key)
  if #entries > 0 then fn(entries) end
  return "ok"
end

ls.registry = M
