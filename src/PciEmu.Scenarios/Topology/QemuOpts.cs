namespace PciEmu.Scenarios.Topology;

/// <summary>One parsed "name=value" of a QemuOpts string.</summary>
public readonly record struct QemuOpt(string Name, string Value);

/// <summary>
/// QEMU's option-string syntax (util/qemu-option.c, QEMU 7.2): comma-separated name=value pairs, ",," for a
/// literal comma in values, an implied name for a bare first element, bare flags meaning on (noX meaning off).
/// </summary>
public static class QemuOpts
{
    /// <summary>opts_do_parse / get_opt_name_value. "id" is returned like any other option.</summary>
    public static List<QemuOpt> Parse(string text, string? impliedFirstName, List<string>? warnings = null)
    {
        var list = new List<QemuOpt>();
        var p = 0;
        var first = impliedFirstName;
        while (p < text.Length)
        {
            var len = IndexOfAny(text, p, '=', ',') - p;
            string name, value;
            if (p + len >= text.Length || text[p + len] != '=')
            {
                if (first is not null)
                {
                    name = first;
                    value = GetValue(text, ref p);
                }
                else
                {
                    name = text.Substring(p, len);
                    p += len;
                    var prefix = string.Empty;
                    if (name.StartsWith("no", StringComparison.Ordinal))
                    {
                        name = name[2..];
                        value = "off";
                        prefix = "no";
                    }
                    else
                    {
                        value = "on";
                    }
                    if (name != "help" && name != "?")
                        warnings?.Add($"short-form boolean option '{prefix}{name}' deprecated\nPlease use {name}={value} instead");
                }
            }
            else
            {
                name = text.Substring(p, len);
                p += len + 1;
                value = GetValue(text, ref p);
            }
            if (p < text.Length && text[p] == ',') p++;
            list.Add(new QemuOpt(name, value));
            first = null;
        }
        return list;
    }

    private static int IndexOfAny(string s, int start, char a, char b)
    {
        for (var i = start; i < s.Length; i++)
        {
            if (s[i] == a || s[i] == b) return i;
        }
        return s.Length;
    }

    /// <summary>get_opt_value: up to the next single comma; ",," is a literal comma.</summary>
    private static string GetValue(string s, ref int p)
    {
        var sb = new System.Text.StringBuilder();
        while (p < s.Length)
        {
            if (s[p] == ',')
            {
                if (p + 1 < s.Length && s[p + 1] == ',')
                {
                    sb.Append(',');
                    p += 2;
                    continue;
                }
                break;
            }
            sb.Append(s[p++]);
        }
        return sb.ToString();
    }

    /// <summary>opts_parse_id: the first "id=" value, parsed without an implied name.</summary>
    public static string? FindId(string text)
    {
        foreach (var o in Parse(text, null))
        {
            if (o.Name == "id") return o.Value;
        }
        return null;
    }

    /// <summary>Escapes a value for an option string (the inverse of get_opt_value).</summary>
    public static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
