; Inno Setup script for the Windows installer (per-user, no administrator rights).
; Built by .github/workflows/build.yml after `pyinstaller aidesk.spec`:
;   iscc /DAppVersion=0.1.0 packaging\windows\aidesk.iss
; Input: dist\aidesk\ (aidesk.exe for the command line, aidesk-desktop.exe for the app).
; Output: dist\AIDesk-Setup-<version>.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C3B3C52-3D0E-4C2B-9B7E-A1D35C000001}
AppName=AIDesk
AppVersion={#AppVersion}
AppPublisher=AIDesk
DefaultDirName={localappdata}\Programs\AIDesk
DefaultGroupName=AIDesk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
OutputDir=..\..\dist
OutputBaseFilename=AIDesk-Setup-{#AppVersion}
SetupIconFile=aidesk.ico
UninstallDisplayIcon={app}\aidesk-desktop.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "brazilianportuguese"; MessagesFile: "compiler:Languages\BrazilianPortuguese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "addtopath"; Description: "Add the aidesk command to PATH (for admins' scripts)"; Flags: unchecked

[Files]
Source: "..\..\dist\aidesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\AIDesk"; Filename: "{app}\aidesk-desktop.exe"
Name: "{group}\{cm:UninstallProgram,AIDesk}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\AIDesk"; Filename: "{app}\aidesk-desktop.exe"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; \
  ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\aidesk-desktop.exe"; Description: "{cm:LaunchProgram,AIDesk}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
    Paths := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
