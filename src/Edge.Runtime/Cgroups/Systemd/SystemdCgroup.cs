using System.Collections.Generic;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime.Cgroups.Systemd;

/// <summary>The container's side of --systemd-cgroup: its unit made with the init in it, updated, stopped.</summary>
public static class SystemdCgroup
{
    /// <summary>
    /// Starts the container's transient unit with the init as its process (a scope takes its PIDs at start;
    /// a slice is joined through cgroup.procs), then makes what systemd leaves and writes the limits to the
    /// files too, as runc does: systemd has no property for some of them.
    /// </summary>
    public static void Join(Cgroup cgroup, string id, int pid, Resources? resources, IReadOnlyList<Device> devices)
    {
        SystemdUnitPath unit = cgroup.UnitPath!;
        using (SystemdBus bus = SystemdBus.Connect())
            bus.StartTransientUnit(unit.Unit, UnitProperties.ForStart(unit, id, pid, resources, cgroup.Unified));
        cgroup.Create();
        if (unit.IsSlice || !cgroup.Unified) cgroup.AddProcess(pid);
        if (resources is not null) CgroupLimits.Apply(cgroup.Directories, cgroup.Unified, resources, devices);
    }

    /// <summary>`update`: the unit's properties first, so that systemd's next re-apply keeps the new limits.</summary>
    public static void Update(string unit, Resources resources, bool unified)
    {
        List<UnitProperty> properties = UnitProperties.ForResources(resources, unified);
        if (properties.Count == 0) return;
        using SystemdBus bus = SystemdBus.Connect();
        bus.SetUnitProperties(unit, properties);
    }

    /// <summary>Stops the unit (its processes are gone by now) and forgets a failed state.</summary>
    public static void Stop(string unit)
    {
        using SystemdBus bus = SystemdBus.Connect();
        bus.StopUnit(unit);
    }
}
