using System.Text;
using System.Text.Json;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// The <c>normalizer</c> section of a tokenizer.json. Byte-level models use at most Unicode
/// normalization (Qwen2.5 applies NFC), so NFC/NFD/NFKC/NFKD and sequences of them are supported.
/// </summary>
internal sealed class HfNormalizer
{
    private readonly IReadOnlyList<NormalizationForm> _forms;

    private HfNormalizer(IReadOnlyList<NormalizationForm> forms) => _forms = forms;

    /// <summary>Applies the forms in order.</summary>
    public string Normalize(string text)
    {
        foreach (NormalizationForm form in _forms)
        {
            text = text.Normalize(form);
        }
        return text;
    }

    /// <summary>Builds the normalizer from the JSON element (null: leave text unchanged).</summary>
    public static HfNormalizer Parse(JsonElement? element, JsonSource source)
    {
        var forms = new List<NormalizationForm>();
        if (element is JsonElement e)
        {
            AddForms(e, "normalizer", source, forms);
        }
        return new HfNormalizer(forms);
    }

    private static void AddForms(JsonElement element, string path, JsonSource source, List<NormalizationForm> forms)
    {
        string type = source.RequiredString(element, "type", path);
        switch (type)
        {
            case "NFC": forms.Add(NormalizationForm.FormC); break;
            case "NFD": forms.Add(NormalizationForm.FormD); break;
            case "NFKC": forms.Add(NormalizationForm.FormKC); break;
            case "NFKD": forms.Add(NormalizationForm.FormKD); break;
            case "Sequence":
                int index = 0;
                foreach (JsonElement child in source.Required(element, "normalizers", path, JsonValueKind.Array).EnumerateArray())
                {
                    AddForms(child, $"{path}.normalizers[{index++}]", source, forms);
                }
                break;
            default:
                throw source.Error(JsonSource.Join(path, "type"),
                    $"is '{type}', which this loader does not support (supported: NFC, NFD, NFKC, NFKD, Sequence)");
        }
    }
}
