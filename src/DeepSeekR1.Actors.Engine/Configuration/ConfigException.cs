namespace DeepSeekR1.Actors.Engine.Configuration;

/// <summary>A configuration problem, with the key (and file, where known) that caused it.</summary>
public sealed class ConfigException(string message) : Exception(message);
