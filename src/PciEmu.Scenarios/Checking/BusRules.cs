namespace PciEmu.Scenarios.Checking;

/// <summary>Bridge bus ranges: secondary above the bridge's own bus, subordinate ≥ secondary, nested, disjoint among siblings.</summary>
internal static class BusRules
{
    public static void Check(DecodedTree tree, bool firmwareRan, List<InvariantViolation> found)
    {
        foreach (var level in tree.Levels)
        {
            var numbered = new List<BridgeNode>();
            foreach (var b in level.Bridges)
            {
                if (b.Secondary == 0 && b.Subordinate == 0)
                {
                    // Reset value: nobody has numbered this bridge (fine without firmware; SeaBIOS numbers every bridge).
                    if (firmwareRan)
                        found.Add(new(InvariantRules.BusRange, $"bridge {b.Bdf} has no bus numbers after firmware"));
                    continue;
                }
                numbered.Add(b);
                if (b.Secondary <= level.Number)
                    found.Add(new(InvariantRules.BusRange, $"bridge {b.Bdf}: secondary bus {b.Secondary:x2} is not above its own bus {level.Number:x2}"));
                if (b.Subordinate < b.Secondary)
                    found.Add(new(InvariantRules.BusRange, $"bridge {b.Bdf}: subordinate bus {b.Subordinate:x2} < secondary bus {b.Secondary:x2}"));
                if (level.Owner is { } p && (b.Secondary <= p.Secondary || b.Subordinate > p.Subordinate))
                    found.Add(new(InvariantRules.BusRange, $"bridge {b.Bdf}: buses {b.Secondary:x2}-{b.Subordinate:x2} are not inside {p.Bdf}'s {p.Secondary:x2}-{p.Subordinate:x2}"));
            }
            var sorted = numbered.OrderBy(b => b.Secondary).ToList();
            for (var i = 1; i < sorted.Count; i++)
            {
                var (a, b) = (sorted[i - 1], sorted[i]);
                if (b.Secondary <= Math.Max(a.Subordinate, a.Secondary))
                    found.Add(new(InvariantRules.BusRange, $"bridges {a.Bdf} ({a.Secondary:x2}-{a.Subordinate:x2}) and {b.Bdf} ({b.Secondary:x2}-{b.Subordinate:x2}) share buses"));
            }
        }
    }
}
