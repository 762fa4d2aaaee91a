var builder = WebApplication.CreateBuilder(args);
builder.Services.AddControllersWithViews().AddKida();

var app = builder.Build();
app.UseStaticFiles();
app.UseRouting();
app.UseAntiforgery();
app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
app.Run();
