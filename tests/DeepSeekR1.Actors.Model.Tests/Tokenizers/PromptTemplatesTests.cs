using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

public class PromptTemplatesTests
{
    [Fact]
    public void R1ZeroTemplateMatchesThePaperExactly()
    {
        const string expected =
            "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. " +
            "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. " +
            "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, " +
            "i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: What is 2 + 3?. Assistant:";

        Assert.Equal(expected, PromptTemplates.R1Zero("What is 2 + 3?"));
        Assert.Equal(expected, PromptTemplates.Format(PromptTemplateKind.R1Zero, "What is 2 + 3?"));
    }

    [Fact]
    public void ChatMlUsesQwenDefaultSystemPromptWhenNoneIsGiven()
    {
        const string expected =
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHi there<|im_end|>\n" +
            "<|im_start|>assistant\n";

        Assert.Equal(expected, PromptTemplates.ChatMl("Hi there"));
    }

    [Fact]
    public void ChatMlUsesTheGivenSystemPrompt()
    {
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n",
            PromptTemplates.Format(PromptTemplateKind.ChatMl, "Q", "Be brief."));
    }

    [Fact]
    public void DeepSeekR1TemplateUsesFullWidthBarsAndOpensThinking()
    {
        Assert.Equal("<｜begin▁of▁sentence｜><｜User｜>1+1?<｜Assistant｜><think>\n", PromptTemplates.DeepSeekR1("1+1?"));
        Assert.Equal("<｜begin▁of▁sentence｜>Sys<｜User｜>Q<｜Assistant｜><think>\n", PromptTemplates.Format(PromptTemplateKind.DeepSeekR1, "Q", "Sys"));

        // Guard against ASCII look-alikes: the bar is U+FF5C and the separator U+2581.
        Assert.Equal(0xFF5C, PromptTemplates.DeepSeekBos[1]);
        Assert.Equal(0x2581, PromptTemplates.DeepSeekBos[7]);
    }
}
