using System.Runtime.CompilerServices;

// Entity-level tests drive the internal entities directly (no sharding), with probes in place of their peers.
[assembly: InternalsVisibleTo("DeepSeekR1.Actors.Engine.Tests")]
