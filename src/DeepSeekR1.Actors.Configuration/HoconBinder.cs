using System.Globalization;
using System.Reflection;
using System.Text;
using Akka.Configuration;

namespace DeepSeekR1.Actors.Configuration;

/// <summary>
/// The one reader of settings: every section (<c>r1.grpo</c>, <c>r1.engine</c>, <c>r1.pbm</c>, ...) is bound by it, in
/// every layer that reads configuration. Fills a settings record from a HOCON section: property <c>GroupSize</c> reads key <c>group-size</c>. Every
/// init-settable property must have a key (the defaults in hocon/ define them all), and every key of the section
/// must match a property, so code and configuration cannot drift apart silently.
/// </summary>
public static class HoconBinder
{
    /// <summary>Binds <paramref name="path"/> of <paramref name="config"/> to a new <typeparamref name="T"/>.</summary>
    /// <remarks>
    /// Settings records declare their properties <c>required</c> (no value of their own), so the record is created
    /// through reflection, which the compiler's required-member check does not cover; every property is then set here.
    /// </remarks>
    public static T Bind<T>(Config config, string path) where T : class
    {
        if (!config.HasPath(path)) throw new ConfigException($"configuration section '{path}' is missing");
        var section = config.GetConfig(path);
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null)
            .ToDictionary(p => Kebab(p.Name), StringComparer.Ordinal);

        foreach (var (key, _) in section.Root.GetObject().Items)
            if (!properties.ContainsKey(key))
                throw new ConfigException($"configuration key '{path}.{key}' is not a setting of {typeof(T).Name}");

        object target = Activator.CreateInstance(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} could not be created");
        foreach (var (key, property) in properties)
        {
            if (!section.HasPath(key))
                throw new ConfigException($"configuration key '{path}.{key}' has no default in hocon/ ({typeof(T).Name}.{property.Name})");
            try { property.SetValue(target, Read(section, key, property.PropertyType)); }
            catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException or OverflowException)
            {
                throw new ConfigException($"configuration key '{path}.{key}': {e.Message}");
            }
        }
        return (T)target;
    }

    /// <summary><c>GroupSize</c> -> <c>group-size</c>; <c>TopP</c> -> <c>top-p</c>.</summary>
    public static string Kebab(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    // No setting means anything as NaN or infinity, and NaN slips past every range check written as `x < lower`.
    private static double Finite(double value) =>
        double.IsFinite(value) ? value : throw new FormatException($"{value.ToString(CultureInfo.InvariantCulture)} is not a finite number");

    private static object Read(Config section, string key, Type type)
    {
        if (type == typeof(int)) return int.Parse(section.GetString(key), CultureInfo.InvariantCulture);
        if (type == typeof(long)) return long.Parse(section.GetString(key), CultureInfo.InvariantCulture);
        if (type == typeof(ulong)) return ulong.Parse(section.GetString(key), CultureInfo.InvariantCulture);
        if (type == typeof(double)) return Finite(double.Parse(section.GetString(key), CultureInfo.InvariantCulture));
        if (type == typeof(bool)) return section.GetBoolean(key);
        if (type == typeof(TimeSpan)) return section.GetTimeSpan(key, null, allowInfinite: false);
        if (type == typeof(string)) return section.GetString(key);
        if (type.IsEnum)
        {
            string text = section.GetString(key).Replace("-", "").Replace("_", "");
            return Enum.GetNames(type).FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name
                ? Enum.Parse(type, name)
                : throw new FormatException($"'{section.GetString(key)}' is not one of {string.Join(", ", Enum.GetNames(type).Select(Kebab))}");
        }
        if (type == typeof(IReadOnlyList<int>)) return section.GetIntList(key).ToArray();
        if (type == typeof(IReadOnlyList<string>)) return section.GetStringList(key).ToArray();
        if (type == typeof(IReadOnlyList<double>)) return section.GetDoubleList(key).Select(Finite).ToArray();
        throw new InvalidCastException($"settings of type {type.Name} are not supported by the binder");
    }
}
