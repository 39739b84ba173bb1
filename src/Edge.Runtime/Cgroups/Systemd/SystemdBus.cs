using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Tmds.DBus.Protocol;

namespace Edge.Runtime.Cgroups.Systemd;

/// <summary>
/// The calls of systemd's manager edge makes for --systemd-cgroup, over the system bus: start a transient
/// unit and wait for its job, change a unit's properties, stop a unit. Only these paths load D-Bus: a
/// container without --systemd-cgroup never connects (and Native AOT keeps the code cold).
/// </summary>
public sealed class SystemdBus : IDisposable
{
    private const string Destination = "org.freedesktop.systemd1";
    private const string ManagerPath = "/org/freedesktop/systemd1";
    private const string Manager = "org.freedesktop.systemd1.Manager";

    /// <summary>How long a unit's start or stop job may take (runc waits 30 s too).</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    private readonly DBusConnection _connection;

    /// <summary>Writes a call's arguments. MessageWriter is a ref struct: by value, a copy would be written to.</summary>
    private delegate void BodyWriter(ref MessageWriter writer);

    private SystemdBus(DBusConnection connection) => _connection = connection;

    /// <summary>True when PID 1 is systemd (sd_booted(3)'s test).</summary>
    public static bool IsBooted() => System.IO.Directory.Exists("/run/systemd/system");

    public static SystemdBus Connect()
    {
        string address = DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";
        var connection = new DBusConnection(address);
        try
        {
            Wait(connection.ConnectAsync().AsTask(), "connect to the system bus");
            return new SystemdBus(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>StartTransientUnit(name, "replace", properties), then its job's end: "done" or an error.</summary>
    public void StartTransientUnit(string unit, IReadOnlyList<UnitProperty> properties)
    {
        var removed = new JobWatch();
        using IDisposable watch = Wait(_connection.WatchSignalAsync(Destination, ManagerPath, Manager, "JobRemoved",
            static (Message m, object? _) => { Reader r = m.GetBodyReader(); r.ReadUInt32(); string job = r.ReadObjectPathAsString(); r.ReadString(); return (job, r.ReadString()); },
            (Notification<(string Job, string Result)> n) => { if (n.HasValue) removed.Add(n.Value.Job, n.Value.Result); },
            ObserverFlags.None, false, null).AsTask(), "watch systemd's jobs");
        // Job signals reach the client that queued the job; Subscribe makes sure of it on older systemd.
        try { Call("Subscribe", "", static (ref MessageWriter _) => { }); } catch (RuntimeException) { }
        string job = Call("StartTransientUnit", "ssa(sv)a(sa(sv))", (ref MessageWriter w) =>
        {
            w.WriteString(unit);
            w.WriteString("replace");
            WriteProperties(ref w, properties);
            ArrayStart aux = w.WriteArrayStart(DBusType.Struct);
            w.WriteArrayEnd(aux);
        }, static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString());
        string result = removed.WaitFor(job, JobTimeout)
            ?? throw new RuntimeException($"systemd did not start {unit} within {JobTimeout.TotalSeconds:0} s");
        if (result != "done") throw new RuntimeException($"systemd could not start {unit}: job {result} (journalctl -u {unit})");
    }

    /// <summary>SetUnitProperties(name, runtime: true, properties).</summary>
    public void SetUnitProperties(string unit, IReadOnlyList<UnitProperty> properties)
    {
        if (properties.Count == 0) return;
        Call("SetUnitProperties", "sba(sv)", (ref MessageWriter w) =>
        {
            w.WriteString(unit);
            w.WriteBool(true);
            WriteProperties(ref w, properties);
        });
    }

    /// <summary>StopUnit and ResetFailedUnit; a unit systemd already forgot (its processes are gone) is fine.</summary>
    public void StopUnit(string unit)
    {
        try
        {
            Call("StopUnit", "ss", (ref MessageWriter w) => { w.WriteString(unit); w.WriteString("replace"); });
        }
        catch (RuntimeException ex) when (ErrorName(ex) is "org.freedesktop.systemd1.NoSuchUnit")
        {
        }
        try
        {
            Call("ResetFailedUnit", "s", (ref MessageWriter w) => w.WriteString(unit));
        }
        catch (RuntimeException ex) when (ErrorName(ex) is "org.freedesktop.systemd1.NoSuchUnit" or "org.freedesktop.DBus.Error.InvalidArgs")
        {
        }
    }

    /// <summary>The D-Bus error name behind a failed <see cref="Call{T}"/>, or null.</summary>
    private static string? ErrorName(RuntimeException ex) => (ex.InnerException as DBusErrorReplyException)?.ErrorName;

    private void Call(string member, string signature, BodyWriter body) =>
        Call(member, signature, body, static (Message _, object? _) => "");

    private T Call<T>(string member, string signature, BodyWriter body, MessageValueReader<T> reader)
    {
        MessageBuffer message;
        MessageWriter w = _connection.GetMessageWriter();
        try
        {
            w.WriteMethodCallHeader(Destination, ManagerPath, Manager, member, signature.Length == 0 ? null : signature, MessageFlags.None);
            body(ref w);
            message = w.CreateMessage();
        }
        finally
        {
            w.Dispose();
        }
        try
        {
            return Wait(_connection.CallMethodAsync(message, reader, null), member);
        }
        catch (DBusErrorReplyException ex)
        {
            throw new RuntimeException($"systemd {member}: {ex.ErrorMessage} ({ex.ErrorName})", ex);
        }
    }

    /// <summary>a(sv): each property as a (name, variant) struct; a variant is its signature, then the value.</summary>
    private static void WriteProperties(ref MessageWriter w, IReadOnlyList<UnitProperty> properties)
    {
        ArrayStart array = w.WriteArrayStart(DBusType.Struct);
        foreach (UnitProperty p in properties)
        {
            w.WriteStructureStart();
            w.WriteString(p.Name);
            w.WriteSignature(p.Signature);
            switch (p.Value)
            {
                case bool b: w.WriteBool(b); break;
                case ulong t: w.WriteUInt64(t); break;
                case string s: w.WriteString(s); break;
                case uint[] au: w.WriteArray(au); break;
                case byte[] ay: w.WriteArray(ay); break;
                default: throw new ArgumentException($"unit property {p.Name}: unsupported value");
            }
        }
        w.WriteArrayEnd(array);
    }

    private static T Wait<T>(Task<T> task, string what)
    {
        try
        {
            if (!task.Wait(JobTimeout)) throw new RuntimeException($"systemd: {what}: no answer within {JobTimeout.TotalSeconds:0} s");
            return task.Result;
        }
        catch (AggregateException ex) when (ex.InnerException is DBusErrorReplyException reply)
        {
            throw reply;
        }
        catch (AggregateException ex) when (ex.InnerException is DBusConnectionException or DBusConnectFailedException or System.IO.IOException or System.Net.Sockets.SocketException)
        {
            throw new RuntimeException($"--systemd-cgroup: cannot {what} ({ex.InnerException!.Message}): is dbus running?", ex.InnerException);
        }
    }

    private static void Wait(Task task, string what) => Wait(task.ContinueWith(static t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default), what);

    public void Dispose() => _connection.Dispose();

    /// <summary>JobRemoved signals as they come, which may be before StartTransientUnit has returned its job's path.</summary>
    private sealed class JobWatch
    {
        private readonly Dictionary<string, string> _results = new(StringComparer.Ordinal);

        public void Add(string job, string result)
        {
            lock (_results)
            {
                _results[job] = result;
                Monitor.PulseAll(_results);
            }
        }

        public string? WaitFor(string job, TimeSpan timeout)
        {
            DateTime end = DateTime.UtcNow + timeout;
            lock (_results)
            {
                while (true)
                {
                    if (_results.TryGetValue(job, out string? result)) return result;
                    TimeSpan left = end - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero) return null;
                    Monitor.Wait(_results, left);
                }
            }
        }
    }
}
