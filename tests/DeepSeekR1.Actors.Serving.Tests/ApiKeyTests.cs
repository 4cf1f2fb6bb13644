using System.Net;
using System.Net.Http.Headers;

namespace DeepSeekR1.Actors.Serving.Tests;

public class ApiKeyTests
{
    [Fact]
    public async Task With_an_api_key_a_request_without_it_is_a_401_and_with_it_is_served()
    {
        await using var server = await TinyServer.StartAsync(s => s with { ApiKey = "sekret" });
        using (var response = await server.Client.GetAsync("/v1/models"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("invalid_api_key", await response.Content.ReadAsStringAsync());
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.SendAsync(wrong)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sekret");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(right)).StatusCode);
    }
}
